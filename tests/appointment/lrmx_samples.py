"""Hand-made .lrmx files for the tests (see test_lrmx.py)."""
import base64
import io

from PIL import Image

from tests.factories import make_id_number


def jpeg_bytes(color="blue") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (30, 40), color).save(buffer, "JPEG")
    return buffer.getvalue()


def lrmx(*, id_number=None, name="王小明", birth="198503", jianli=None, extra="", photo=None, family=None,
         header='<?xml version="1.0" encoding="UTF-8"?>') -> str:
    id_number = id_number or make_id_number(901)
    jianli = jianli if jianli is not None else (
        "2003.09--2007.07  河北大学中文系学生\n"
        "2007.07--2015.03  清河县城关镇科员\n"
        "                  （其间：2010.09--2012.07在中央党校函授学院经济管理专业学习）\n"
        "2015.03--         清河县城关镇副镇长"
    )
    family = family if family is not None else (
        "<Item><ChengWei>妻子</ChengWei><XingMing>李芳</XingMing><ChuShengRiQi>198607</ChuShengRiQi>"
        "<ZhengZhiMianMao>中共党员</ZhengZhiMianMao><GongZuoDanWeiJiZhiWu>清河县第一中学教师</GongZuoDanWeiJiZhiWu></Item>"
        "<Item><ChengWei/><XingMing/><ChuShengRiQi/><ZhengZhiMianMao/><GongZuoDanWeiJiZhiWu/></Item>"
    )
    photo_el = f"<ZhaoPian>{base64.b64encode(photo).decode()}</ZhaoPian>" if photo else "<ZhaoPian/>"
    return f"""{header}
<Person>
  <XingMing>{name}</XingMing>
  <XingBie>男</XingBie>
  <ChuShengNianYue>{birth}</ChuShengNianYue>
  <MinZu>汉族</MinZu>
  <JiGuan>河北张家口</JiGuan>
  <ChuShengDi>河北张家口</ChuShengDi>
  <RuDangShiJian>2006.06</RuDangShiJian>
  <CanJiaGongZuoShiJian>2007.7</CanJiaGongZuoShiJian>
  <JianKangZhuangKuang>健康</JianKangZhuangKuang>
  <ZhuanYeJiShuZhiWu></ZhuanYeJiShuZhiWu>
  <ShuXiZhuanYeYouHeZhuanChang>基层治理</ShuXiZhuanYeYouHeZhuanChang>
  <QuanRiZhiJiaoYu_XueLi>大学本科</QuanRiZhiJiaoYu_XueLi>
  <QuanRiZhiJiaoYu_XueWei>文学学士</QuanRiZhiJiaoYu_XueWei>
  <QuanRiZhiJiaoYu_XueLi_BiYeYuanXiaoXi>河北大学中文系汉语言文学专业</QuanRiZhiJiaoYu_XueLi_BiYeYuanXiaoXi>
  <QuanRiZhiJiaoYu_XueWei_BiYeYuanXiaoXi>河北大学中文系汉语言文学专业</QuanRiZhiJiaoYu_XueWei_BiYeYuanXiaoXi>
  <ZaiZhiJiaoYu_XueLi/>
  <ZaiZhiJiaoYu_XueWei/>
  <ZaiZhiJiaoYu_XueLi_BiYeYuanXiaoXi/>
  <ZaiZhiJiaoYu_XueWei_BiYeYuanXiaoXi/>
  <XianRenZhiWu>清河县城关镇副镇长</XianRenZhiWu>
  <NiRenZhiWu>清河县城关镇党委副书记</NiRenZhiWu>
  <NiMianZhiWu>清河县城关镇副镇长</NiMianZhiWu>
  <JianLi>{jianli}</JianLi>
  <JiangChengQingKuang>2019年12月被清河县委评为优秀共产党员。</JiangChengQingKuang>
  <NianDuKaoHeJieGuo>2022年度考核优秀、2023年度考核称职、2024年度考核优秀。</NianDuKaoHeJieGuo>
  <RenMianLiYou>工作需要</RenMianLiYou>
  <JiaTingChengYuan>{family}</JiaTingChengYuan>
  <ChengBaoDanWei>中共清河县委组织部</ChengBaoDanWei>
  <JiSuanNianLingShiJian>20251101</JiSuanNianLingShiJian>
  <TianBiaoShiJian>20251101</TianBiaoShiJian>
  <TianBiaoRen>张干事</TianBiaoRen>
  <ShenFenZheng>{id_number}</ShenFenZheng>
  {photo_el}
  <Version>3.2.1.16</Version>
  {extra}
</Person>"""
