"""Choices of the portal, each with the Chinese label users see."""

from django.db import models


class ColumnType(models.TextChoices):
    # The value of the national ColumnType meta tag; monitoring reads it to know which
    # columns must stay fresh (news two weeks, notices and policies six months).
    HOME = "home", "首页"
    CHANNEL = "channel", "频道"
    SUBSITE = "subsite", "子站"
    NEWS = "news", "工作动态"
    NOTICE = "notice", "通知公告"
    POLICY = "policy", "政策文件"
    INTERPRETATION = "interpretation", "政策解读"
    DISCLOSURE = "disclosure", "政府信息公开"
    SERVICE = "service", "办事服务"
    INTERACTION = "interaction", "互动交流"
    TOPIC = "topic", "专题专栏"
    LEADERS = "leaders", "领导之窗"
    OTHER = "other", "其他"


class Validity(models.TextChoices):
    IN_FORCE = "in_force", "现行有效"
    AMENDED = "amended", "已修改"
    REPEALED = "repealed", "已废止"


class InterpretationForm(models.TextChoices):
    TEXT = "text", "文字解读"
    GRAPHIC = "graphic", "图解"
    VIDEO = "video", "视频解读"
    INTERVIEW = "interview", "访谈解读"


class SubjectCategory(models.TextChoices):
    # The top level of the State Council's subject classification of official documents
    # (国务院公文主题分类), as used by the national policy document library.
    GENERAL = "01", "综合政务"
    ECONOMY = "02", "国民经济管理、国有资产监管"
    FINANCE = "03", "财政、金融、审计"
    LAND = "04", "国土资源、能源"
    AGRICULTURE = "05", "农业、林业、水利"
    INDUSTRY = "06", "工业、交通"
    COMMERCE = "07", "商贸、海关、旅游"
    MARKET = "08", "市场监管、安全生产监管"
    CONSTRUCTION = "09", "城乡建设、环境保护"
    SCIENCE = "10", "科技、教育"
    CULTURE = "11", "文化、广电、新闻出版"
    HEALTH = "12", "卫生、体育"
    POPULATION = "13", "人口与计划生育、妇女儿童工作"
    LABOUR = "14", "劳动、人事、监察"
    SECURITY = "15", "公安、安全、司法"
    CIVIL = "16", "民政、扶贫、救灾"
    ETHNIC = "17", "民族、宗教"
    FOREIGN = "18", "对外事务"
    HKMO = "19", "港澳台侨工作"
    DEFENCE = "20", "国防"
    OTHER = "21", "其他"
